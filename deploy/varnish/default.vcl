# Varnish 7 in front of wirefeed (docs/scale.md). Needs vmod_xkey (Debian: varnish-modules).
#
# What it promises, each proved by test/varnish/*.test.ts against a real varnishd:
# - feeds, pages, ninjs and the sitemap are cached for as long as wirefeed's own Cache-Control says;
# - objects are indexed by the feed's Surrogate-Key, so `PURGE` with an `xkey-purge: main tags/korea`
#   header (from an address in wirefeed_purgers) drops exactly the feeds a write touched;
# - stale-while-revalidate is grace: an expired copy is served while one fetch refreshes it;
# - while the origin fails (refused, timed out, 5xx), the last good copy is served for up to
#   stale-if-error seconds;
# - Accept-Encoding is normalised, and one gzip copy is kept per URL (gunzipped for the rare client
#   without gzip);
# - the ingest API, /metrics, /healthz and /readyz go straight through; nothing sent with
#   Authorization, and nothing marked private or no-store, is ever stored.
vcl 4.1;

import std;
import xkey;

# The backends, the sub wirefeed_origin that picks one, and the acl wirefeed_purgers: one origin
# (origins.vcl), or the compose file's two replicas (origins-replicas.vcl mounted as origins.vcl).
include "origins.vcl";

sub vcl_recv {
  call wirefeed_origin;
  # The markers below are this VCL's own, set only on a restart; a client's copies are removed first.
  if (req.restarts == 0) {
    unset req.http.x-wirefeed-stale;
    unset req.http.x-wirefeed-refresh;
    unset req.http.x-wirefeed-cacheable;
  }

  if (req.method == "PURGE") {
    if (client.ip !~ wirefeed_purgers) {
      return (synth(403, "Forbidden"));
    }
    if (!req.http.xkey-purge) {
      return (synth(400, "PURGE needs an xkey-purge header: space-separated surrogate keys"));
    }
    set req.http.n-gone = xkey.purge(req.http.xkey-purge);
    return (synth(200, "Purged " + req.http.n-gone + " objects"));
  }

  # A second look after the origin failed (vcl_synth, vcl_deliver): any copy within its
  # stale-if-error window will do.
  if (req.http.x-wirefeed-stale) {
    # req.grace outlives a restart: lift the refresh's 0s, so each copy's own grace (stale-if-error) counts.
    set req.grace = 3650d;
    return (hash);
  }
  # A copy past its stale-while-revalidate window was found (vcl_hit): fetch now, keep the copy
  # in case the fetch fails.
  if (req.http.x-wirefeed-refresh) {
    set req.grace = 0s;
    return (hash);
  }

  if (req.method != "GET" && req.method != "HEAD") {
    return (pass);
  }
  if (req.url ~ "^/(api|metrics|healthz|readyz)(/|\?|$)") {
    return (pass);
  }
  # Per-client answers are never shared.
  if (req.http.Authorization) {
    return (pass);
  }
  # wirefeed sets and reads no cookies; a cookie for the site's domain must not split the cache.
  unset req.http.Cookie;

  # One coding in the cache key: gzip or none. Varnish fetches gzip and gunzips for clients
  # without it, so one copy serves both.
  if (req.http.Accept-Encoding ~ "gzip") {
    set req.http.Accept-Encoding = "gzip";
  } else {
    unset req.http.Accept-Encoding;
  }
  set req.http.x-wirefeed-cacheable = "1";
  return (hash);
}

sub vcl_hit {
  if (obj.ttl >= 0s || req.http.x-wirefeed-stale) {
    return (deliver);
  }
  # Expired, but within stale-while-revalidate: this copy now, a fetch in the background.
  if (obj.ttl + std.duration(obj.http.x-wirefeed-swr, 0s) > 0s) {
    return (deliver);
  }
  # Past it (kept only for stale-if-error): look again with no grace, so the fetch is in the
  # foreground, as wirefeed's Cache-Control asks (an embargo release appears on time).
  set req.http.x-wirefeed-refresh = "1";
  return (restart);
}

sub vcl_miss {
  # The origin already failed for this request and no copy is left: do not ask it twice.
  if (req.http.x-wirefeed-stale) {
    return (synth(503, "Origin unavailable"));
  }
}

sub vcl_backend_response {
  if (bereq.uncacheable) {
    return (deliver);
  }
  # A failing origin never replaces a good copy: vcl_synth looks for the stale one.
  if (beresp.status >= 500) {
    return (abandon);
  }
  if (beresp.http.Cache-Control ~ "(private|no-store|no-cache)" || beresp.http.Set-Cookie || beresp.http.Vary == "*") {
    set beresp.uncacheable = true;
    set beresp.ttl = 120s;
    return (deliver);
  }
  # Grace is the longer of the two windows; vcl_hit holds a healthy origin to the
  # stale-while-revalidate one, kept on the object.
  set beresp.http.x-wirefeed-swr = "0s";
  if (beresp.http.Cache-Control ~ "stale-while-revalidate=[0-9]+") {
    set beresp.http.x-wirefeed-swr = regsub(beresp.http.Cache-Control, "^.*stale-while-revalidate=([0-9]+).*$", "\1s");
  }
  set beresp.grace = std.duration(beresp.http.x-wirefeed-swr, 0s);
  if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
    set beresp.grace = std.duration(regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"), 0s);
    if (beresp.grace < std.duration(beresp.http.x-wirefeed-swr, 0s)) {
      set beresp.grace = std.duration(beresp.http.x-wirefeed-swr, 0s);
    }
  }
  # Keeps validators for a conditional refresh (a 304 from the origin renews the copy).
  set beresp.keep = 1h;
  # xkey indexes the xkey header: the feed's own Surrogate-Key ("feeds main", "feeds tags/korea").
  if (beresp.http.Surrogate-Key) {
    set beresp.http.xkey = beresp.http.Surrogate-Key;
  }
  # One copy per URL: the gzip one (Varnish gunzips for clients without gzip); Vary goes back on
  # in vcl_deliver for the caches and browsers behind this one.
  if (beresp.http.Vary == "Accept-Encoding") {
    unset beresp.http.Vary;
    set beresp.http.x-wirefeed-vary = "Accept-Encoding";
  }
  if (!beresp.http.Content-Encoding && beresp.http.Content-Type ~ "(xml|json|text|javascript)") {
    set beresp.do_gzip = true;
  }
  return (deliver);
}

sub vcl_backend_error {
  # Refused or timed out: handled like a 5xx (a stale copy if one is held), not cached as an error.
  if (!bereq.uncacheable) {
    return (abandon);
  }
}

sub vcl_synth {
  if (resp.status == 503 && req.http.x-wirefeed-cacheable && !req.http.x-wirefeed-stale && req.restarts < 3) {
    set req.http.x-wirefeed-stale = "1";
    return (restart);
  }
}

sub vcl_deliver {
  if (resp.http.x-wirefeed-vary) {
    set resp.http.Vary = resp.http.x-wirefeed-vary;
    unset resp.http.x-wirefeed-vary;
  }
  unset resp.http.xkey;
  unset resp.http.x-wirefeed-swr;
  unset resp.http.Via;
  if (obj.uncacheable) {
    set resp.http.X-Cache = "PASS";
  } else if (obj.hits > 0) {
    set resp.http.X-Cache = "HIT";
  } else {
    set resp.http.X-Cache = "MISS";
  }
  if (req.http.x-wirefeed-stale) {
    set resp.http.X-Cache = resp.http.X-Cache + " STALE";
  }
}
