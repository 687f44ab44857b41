-- mgmt-proxy: before HAProxy answers a ClientHello, ask mgmt-proxyd for a
-- certificate for the name the client asked for (SNI). The daemon mints it
-- from the local CA and loads it through the runtime API, then answers;
-- only then does the connection go on to the TLS frontend, so the very
-- first handshake for a new name already finds its certificate.
-- The socket path comes from the global `setenv MGMT_PROXY_CERT_SOCKET`.
--
-- Names that already have a certificate do not wait for the daemon: the
-- crt-list file (read once when HAProxy loads this file, as root; every
-- reload reads it again) names one "<name>.pem" per minted leaf after the
-- default certificate, and each name the daemon answered "ok" for is
-- remembered until the next reload.

local socket_path = os.getenv("MGMT_PROXY_CERT_SOCKET")
local known = {}

local crt_list = os.getenv("MGMT_PROXY_CRT_LIST")
if crt_list ~= nil then
	local f = io.open(crt_list, "r")
	if f ~= nil then
		local first = true
		for line in f:lines() do
			local name = line:match("([A-Za-z0-9.-]+)%.pem$")
			if name ~= nil and not first then
				known[name:lower()] = true
			end
			first = false
		end
		f:close()
	end
end

core.register_action("mgmt_proxy_cert", { "tcp-req" }, function(txn)
	local sni = txn.f:req_ssl_sni()
	if sni == nil or sni == "" or socket_path == nil then
		return
	end
	-- Only host-name characters go to the daemon (it checks again).
	if #sni > 253 or sni:find("[^A-Za-z0-9.-]") then
		return
	end
	sni = sni:lower()
	if known[sni] then
		return
	end
	local s = core.tcp()
	s:settimeout(3)
	if s:connect("unix@" .. socket_path) == nil then
		s:close()
		return
	end
	s:send(sni .. "\n")
	-- "ok" or "error": either way the connection goes on; without a
	-- certificate the default one answers and the client sees why.
	if s:receive("*l") == "ok" then
		known[sni] = true
	end
	s:close()
end, 0)
