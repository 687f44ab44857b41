-- mgmt-proxy: HAProxy as a CONNECT client. HAProxy 2.6 cannot open a
-- CONNECT tunnel through an explicit proxy by itself; this filter, attached
-- to the TCP `listen` section whose server is the proxy, does it:
--
--   1. the first bytes of the request (a TLS ClientHello: HAProxy's own one
--      towards the origin, or the client's own one when it is tunnelled
--      as is) are held; `CONNECT name:port HTTP/1.1` is put in front of
--      them and only that request goes out;
--   2. the proxy's reply is read up to the end of its header block; a 2xx
--      reply is removed from the stream and the held ClientHello is let
--      through; anything else (another status, garbage, a header block over
--      8 KiB, a close) ends the stream;
--   3. the filter then lets every byte pass untouched (the tunnel).
--
-- Each outcome is one log line starting with "mgmt-proxy-tunnel " which
-- mgmt-proxyd counts (opened/refused, last refusal).
--
-- The name is the SNI of the ClientHello held in step 1 (read there, not at
-- the start of the analysis: the filter starts before any byte arrived);
-- without SNI, the original destination address. The port is the original
-- destination port, carried in the PROXY protocol header.

local REPLY_MAX = 8192
-- The proxy must answer the CONNECT within this many seconds (HAProxy's
-- connect timeout); the listen section's server timeout is longer, so
-- this check is the one that fires.
local REPLY_WAIT = 5
-- Milliseconds between two looks of the request side at a tunnel being
-- opened. The reply's arrival runs only the response side, which lets
-- the held bytes go itself; this is the fallback.
local REQUEST_RECHECK = 100

local function now()
	local t = core.now()
	return t.sec + t.usec / 1000000
end

-- Proxy-Authorization value, read once at load time (the master runs as
-- root; the file is root's, mode 0600). Empty: no header.
local auth = ""
local auth_file = os.getenv("MGMT_PROXY_AUTH_FILE")
if auth_file ~= nil and auth_file ~= "" then
	local f = io.open(auth_file, "r")
	if f ~= nil then
		local v = f:read("*l")
		f:close()
		if v ~= nil and v:find("^Basic [A-Za-z0-9+/=]+$") then
			auth = v
		end
	end
end

-- For absolute-form HTTP requests: `http-request set-header
-- Proxy-Authorization %[lua.mgmt_proxy_auth] if ...`.
core.register_fetches("mgmt_proxy_auth", function(txn)
	return auth
end)

local function valid_name(s)
	return s ~= nil and #s > 0 and #s <= 253 and not s:find("[^A-Za-z0-9.-]")
end

local Tunnel = {}
Tunnel.id = "mgmt-proxy CONNECT"
Tunnel.flags = 0
Tunnel.__index = Tunnel

function Tunnel:new()
	local t = {}
	setmetatable(t, Tunnel)
	-- idle -> asked (CONNECT sent) -> open | refused
	t.state = "idle"
	t.authority = "-"
	return t
end

local function tunnel_log(txn, what)
	txn:log(core.warning, "mgmt-proxy-tunnel " .. what)
end

local function tunnel_refuse(self, txn, why)
	self.state = "refused"
	tunnel_log(txn, "refused " .. self.authority .. " " .. why)
	txn:done()
end

local function tunnel_request(self, txn, chn, len)
	if self.state == "asked" then
		-- Hold the ClientHello until the reply is in. The response side
		-- lets it go when the tunnel opens (see tunnel_release); this
		-- wake-up is only a safety net.
		filter.wake_time(REQUEST_RECHECK)
		return 0
	end
	if self.state ~= "idle" or len == 0 then
		return 0
	end
	-- The original destination, kept by the frontend at the connection's
	-- start: the stream's own destination is the proxy by now.
	local name = txn.f:req_ssl_sni()
	local port = txn:get_var("sess.odport")
	if not valid_name(name) then
		name = txn:get_var("sess.odst")
	end
	if name == nil or port == nil then
		self.authority = "-"
		tunnel_refuse(self, txn, "no-destination")
		return 0
	end
	self.authority = name .. ":" .. port
	local req = "CONNECT " .. self.authority .. " HTTP/1.1\r\nHost: " ..
	    self.authority .. "\r\n"
	if auth ~= "" then
		req = req .. "Proxy-Authorization: " .. auth .. "\r\n"
	end
	req = req .. "\r\n"
	if chn:insert(req, 0) ~= #req then
		return 0	-- no room yet; tried again with the next bytes
	end
	self.state = "asked"
	self.asked_at = now()
	filter.wake_time(REQUEST_RECHECK)
	return #req
end

-- The tunnel is open: send the held request bytes now. The reply's
-- arrival runs the response side only; waiting for the request side's
-- next wake-up cost 1-2 ms per tunnel (HAProxy's timers tick in ms).
-- txn.req is not the filtered channel here, so this is a plain forward
-- of the channel's input: everything in it is what the request side
-- held (it returned 0 for it), and the filter's offsets stay equal.
local function tunnel_release(txn)
	local held = txn.req:input()
	if held > 0 then
		txn.req:forward(held)
	end
end

-- A reply whose first bytes cannot begin "HTTP/1." is refused at once;
-- anything else waits for the end of its header block.
local function reply_prefix_ok(data)
	local n = math.min(#data, 7)
	return data:sub(1, n) == ("HTTP/1."):sub(1, n)
end

local function tunnel_reply(self, txn, chn, len)
	if self.state ~= "asked" then
		return 0
	end
	local data = chn:data(0, len)
	if type(data) ~= "string" then
		data = ""
	end
	local head = data:find("\r\n\r\n", 1, true)
	if head == nil then
		-- Until the whole reply is in, come back every 100 ms to watch
		-- the deadline (nothing else would run this side).
		filter.wake_time(100)
		if now() - self.asked_at >= REPLY_WAIT then
			tunnel_refuse(self, txn, "no-reply-in-time")
		elseif #data > REPLY_MAX then
			tunnel_refuse(self, txn, "reply-headers-too-long")
		elseif not reply_prefix_ok(data) then
			tunnel_refuse(self, txn, "garbage")
		end
		return 0
	end
	head = head + 3
	if head > REPLY_MAX then
		tunnel_refuse(self, txn, "reply-headers-too-long")
		return 0
	end
	local status = data:match("^HTTP/1%.[01] (%d%d%d)[ \r]")
	if status == nil then
		tunnel_refuse(self, txn, "garbage")
		return 0
	end
	if status:sub(1, 1) ~= "2" then
		tunnel_refuse(self, txn, status)
		return 0
	end
	chn:remove(0, head)
	self.state = "open"
	tunnel_log(txn, "opened " .. self.authority .. " " .. status)
	tunnel_release(txn)
	return len - head
end

function Tunnel:start_analyze(txn, chn)
	filter.register_data_filter(self, chn)
end

-- HAProxy 2.6 passes no offset or length: the filter's view of the
-- channel's input is all there is (and may be empty on the first call).
function Tunnel:tcp_payload(txn, chn)
	local len = chn:input()
	if self.state == "open" then
		-- Bytes given back in the call that unregisters the filter are
		-- not forwarded (seen on 2.6.12): leave on an empty call.
		if len == 0 then
			filter.unregister_data_filter(self, chn)
		end
		return len
	end
	if chn:is_resp() then
		return tunnel_reply(self, txn, chn, len)
	end
	return tunnel_request(self, txn, chn, len)
end

function Tunnel:end_analyze(txn, chn)
	-- The proxy closed before a complete reply.
	if self.state == "asked" and chn:is_resp() then
		self.state = "refused"
		tunnel_log(txn, "refused " .. self.authority .. " closed-before-reply")
	end
end

core.register_filter("mgmt_proxy_connect", Tunnel, function(t, args)
	return t
end)
