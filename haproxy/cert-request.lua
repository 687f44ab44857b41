-- mgmt-proxy: before HAProxy answers a ClientHello, ask mgmt-proxyd for a
-- certificate for the name the client asked for (SNI). The daemon mints it
-- from the local CA and loads it through the runtime API, then answers;
-- only then does the connection go on to the TLS frontend, so the very
-- first handshake for a new name already finds its certificate.
-- The socket path comes from the global `setenv MGMT_PROXY_CERT_SOCKET`.
--
-- Names that already have a certificate do not come here: the frontend
-- calls this action only for names missing from the ACL of minted names,
-- which mgmt-proxyd keeps equal to what HAProxy has loaded (a name it
-- evicts asks again).

local socket_path = os.getenv("MGMT_PROXY_CERT_SOCKET")

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
	-- A full listen backlog (a local process flooding the socket) refuses
	-- the connect at once: try again for up to a second rather than give
	-- the client the default certificate at the first refusal.
	local s
	for _ = 1, 20 do
		s = core.tcp()
		s:settimeout(3)
		if s:connect("unix@" .. socket_path) ~= nil then
			break
		end
		s:close()
		s = nil
		core.msleep(50)
	end
	if s == nil then
		return
	end
	s:send(sni .. "\n")
	-- "ok" or "error": either way the connection goes on; without a
	-- certificate the default one answers and the client sees why.
	s:receive("*l")
	s:close()
end, 0)
