# Two wirefeed replicas on one PostgreSQL database (docker-compose.yml mounts this file as
# origins.vcl). Requests alternate between them; either may answer any feed.
import directors;

backend replica_a {
  .host = "replica-a";
  .port = "3000";
  .connect_timeout = 2s;
  .first_byte_timeout = 10s;
}

backend replica_b {
  .host = "replica-b";
  .port = "3000";
  .connect_timeout = 2s;
  .first_byte_timeout = 10s;
}

sub vcl_init {
  new wirefeed_fleet = directors.round_robin();
  wirefeed_fleet.add_backend(replica_a);
  wirefeed_fleet.add_backend(replica_b);
}

sub wirefeed_origin {
  set req.backend_hint = wirefeed_fleet.backend();
}

# Who may PURGE: the replicas (each sends VARNISH_URLS its purges), on compose's private network.
acl wirefeed_purgers {
  "localhost";
  "10.0.0.0"/8;
  "172.16.0.0"/12;
  "192.168.0.0"/16;
}
