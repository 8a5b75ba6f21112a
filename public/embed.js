/* wirefeed headline widget. Hand-written, no build step, no dependencies.
   <script src="https://FEEDS-HOST/embed.js" data-feed="/sections/korea/feed.json" data-limit="5" async></script>
   Under a mount (src="https://HOST/feeds/embed.js") data-feed is a path under it, as above, or the full
   path ("/feeds/sections/korea/feed.json"). Fetches the JSON feed from this script's own origin (no cookies, no other requests, no tracking) and
   renders a headline list in place, inside a Shadow DOM. Feed data only ever goes through textContent and
   setAttribute; links and images must be http(s). */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src).origin;
  // Where wirefeed is mounted: the folder of this script ("/feeds"; "" at the root). Feeds and CSS live under it.
  var mount = new URL('./', script.src).pathname.replace(/\/+$/, '');
  var PHRASE = { reporter: 'Reported by', writer: 'Written by', translator: 'Translated by', editor: 'Edited by', photographer: 'Photos by', producer: 'Produced by' };
  var RTL = /^(ar|arc|ckb|dv|fa|he|iw|ks|nqo|ps|sd|syr|ug|ur|yi)(-|$)/i;

  function httpUrl(value) {
    try {
      var url = new URL(String(value));
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
    } catch (e) { return null; }
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.setAttribute('class', className);
    if (text != null) node.textContent = String(text);
    return node;
  }
  function link(className, href, text) {
    var a = el('a', className, text);
    var url = httpUrl(href);
    if (url) a.setAttribute('href', url);
    return a;
  }
  // The newsroom's credit line ("Reported by A and B for X. Translated by C."), as the server prints it.
  function creditLine(credits, language) {
    var translated = credits.some(function (c) { return c.role === 'translator'; });
    var groups = [];
    credits.forEach(function (c) {
      var last = groups[groups.length - 1];
      if (last && last.role === c.role && last.org === c.organization) last.names.push(String(c.name));
      else groups.push({ role: c.role, org: c.organization, names: [String(c.name)] });
    });
    return groups.map(function (g) {
      var phrase = g.role === 'writer' && translated && /^en\b/i.test(language) ? 'Written in English by' : PHRASE[g.role] || 'By';
      var names = g.names.length > 1 ? g.names.slice(0, -1).join(', ') + ' and ' + g.names[g.names.length - 1] : g.names[0];
      var s = phrase + ' ' + names + (g.org ? ' for ' + g.org : '');
      return /\.$/.test(s) ? s : s + '.';
    }).join(' ');
  }
  function formatDate(iso, language, zone) {
    var date = new Date(iso);
    if (isNaN(date)) return '';
    try { return new Intl.DateTimeFormat(language || undefined, { dateStyle: 'medium', timeZone: zone || 'UTC' }).format(date); }
    catch (e) { return date.toISOString().slice(0, 10); }
  }
  function renderItem(item) {
    var ext = item._wirefeed || {};
    var language = typeof item.language === 'string' ? item.language : '';
    var li = el('li', 'wf-item');
    if (language) { li.setAttribute('lang', language); li.setAttribute('dir', RTL.test(language) ? 'rtl' : 'ltr'); }
    var image = Array.isArray(ext.images) && ext.images[0];
    var src = image ? httpUrl(image.thumbnail || image.url) : httpUrl(item.image);
    if (src) {
      var img = el('img', 'wf-thumb');
      img.setAttribute('src', src);
      img.setAttribute('alt', image && image.alt ? String(image.alt) : '');
      img.setAttribute('loading', 'lazy');
      li.appendChild(img);
    }
    var text = el('div', 'wf-text');
    text.appendChild(link('wf-title', item.url, item.title));
    var meta = el('p', 'wf-meta');
    var time = el('time', null, formatDate(item.date_published, language, ext.timezone));
    if (item.date_published) time.setAttribute('datetime', String(item.date_published));
    meta.appendChild(time);
    text.appendChild(meta);
    var credits = Array.isArray(ext.credits) && ext.credits.length ? creditLine(ext.credits, language)
      : Array.isArray(item.authors) ? item.authors.map(function (a) { return a.name; }).join(', ') : '';
    if (credits) {
      var credit = el('p', 'wf-credit', credits);
      credit.setAttribute('lang', 'en');
      credit.setAttribute('dir', 'ltr');
      text.appendChild(credit);
    }
    li.appendChild(text);
    return li;
  }

  var host = el('div', 'wirefeed-widget');
  script.parentNode.insertBefore(host, script.nextSibling);
  var root = host.attachShadow({ mode: 'open' });
  var box = el('section', 'wf');
  box.setAttribute('aria-busy', 'true');
  root.appendChild(box);

  var path = script.getAttribute('data-feed') || '/feed.json';
  var limit = Math.min(20, Math.max(1, parseInt(script.getAttribute('data-limit'), 10) || 5));
  var feedUrl = new URL((mount && path.indexOf(mount + '/') !== 0 ? mount : '') + path, origin);
  if (!/^\/[^/\\]/.test(path) || feedUrl.origin !== origin || feedUrl.pathname.indexOf(mount + '/') !== 0 || !/\/feed\.json$/.test(feedUrl.pathname)) {
    box.appendChild(el('p', 'wf-error', 'wirefeed: data-feed must be one of our JSON feed paths, such as /feed.json'));
    return;
  }
  feedUrl.search = '?limit=' + limit;
  var options = { credentials: 'omit', referrerPolicy: 'no-referrer', mode: 'cors' };

  // The stylesheet is applied as a constructed sheet: it survives a partner's strict style-src.
  fetch(new URL(mount + '/assets/embed.css', origin), options).then(function (r) { return r.ok ? r.text() : ''; }).then(function (css) {
    if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && CSSStyleSheet.prototype.replaceSync) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.insertBefore(el('style', null, css), box);
    }
  }).catch(function () {});

  fetch(feedUrl, options).then(function (r) {
    if (!r.ok) throw new Error('HTTP ' + r.status);
    return r.json();
  }).then(function (feed) {
    var heading = el('h2', 'wf-heading');
    heading.setAttribute('id', 'wf-heading');
    heading.appendChild(link('', new URL('./', feedUrl).href, feed.title));
    box.appendChild(heading);
    box.setAttribute('aria-labelledby', 'wf-heading');
    var list = el('ol', 'wf-list');
    (Array.isArray(feed.items) ? feed.items : []).slice(0, limit).forEach(function (item) { list.appendChild(renderItem(item || {})); });
    box.appendChild(list);
  }).catch(function () {
    box.appendChild(el('p', 'wf-error', 'Headlines are unavailable right now.'));
  }).then(function () { box.removeAttribute('aria-busy'); });
})();
