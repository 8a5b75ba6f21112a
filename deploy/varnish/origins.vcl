# One wirefeed origin on this machine (a files-backend server). default.vcl includes this file;
# copy it beside default.vcl and change the address, or use origins-replicas.vcl for a fleet.
backend wirefeed {
  .host = "127.0.0.1";
  .port = "3000";
  .connect_timeout = 2s;
  .first_byte_timeout = 10s;
}

sub wirefeed_origin {
  set req.backend_hint = wirefeed;
}

# Who may PURGE: wirefeed itself (VARNISH_URLS), on this machine.
acl wirefeed_purgers {
  "localhost";
  "127.0.0.1";
  "::1";
}
