// wirefeed: the "Copy feed URL" buttons. The only script on our pages; served from our origin so the
// Content-Security-Policy can forbid inline script. Buttons are `hidden` in the HTML and shown here,
// so without JavaScript people see only what works: the format links.
(function () {
  'use strict';
  function fallbackCopy(text) {
    var field = document.createElement('textarea');
    field.value = text;
    field.setAttribute('readonly', '');
    field.className = 'visually-hidden';
    document.body.appendChild(field);
    field.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    field.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error('copy refused'));
  }
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    return fallbackCopy(text);
  }
  var status = document.createElement('p');
  status.className = 'visually-hidden';
  status.setAttribute('role', 'status');
  document.body.appendChild(status);
  document.querySelectorAll('button.copy-url[data-url]').forEach(function (button) {
    var label = button.firstChild;
    button.hidden = false;
    button.addEventListener('click', function () {
      var url = button.getAttribute('data-url');
      copy(url).then(function () {
        label.textContent = 'Copied';
        button.classList.add('copied');
        status.textContent = 'Feed URL copied: ' + url;
      }, function () {
        label.textContent = 'Copy failed';
        status.textContent = 'Could not copy. The feed URL is ' + url;
      });
      setTimeout(function () { label.textContent = 'Copy feed URL'; button.classList.remove('copied'); }, 2500);
    });
  });
})();
