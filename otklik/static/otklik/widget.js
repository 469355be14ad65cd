/* Otklik chat widget: <script src="https://OTKLIK-HOST/static/otklik/widget.js" data-org="CODE" defer></script>
   data-org (the organization's code in Otklik) serves the chat in that organization's region, and appeals written
   in it count for that organization's widget; data-region="CODE" names the region itself. Both are optional with one region. */
(function () {
  var script = document.currentScript;
  var base = script.src.replace(/\/static\/otklik\/widget\.js.*$/, "");
  var query = script.dataset.org ? "?org=" + encodeURIComponent(script.dataset.org)
    : script.dataset.region ? "?region=" + encodeURIComponent(script.dataset.region) : "";
  var button = document.createElement("button");
  button.type = "button";
  button.textContent = "Задать вопрос";
  button.setAttribute("aria-expanded", "false");
  button.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483000;background:#0b5cad;color:#fff;" +
    "border:0;border-radius:24px;padding:12px 18px;font:16px system-ui,sans-serif;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)";
  var frame = document.createElement("iframe");
  frame.title = "Чат с ботом министерства образования";
  frame.allow = "geolocation";  // the 📍 of an appeal: the browser still asks the citizen
  frame.style.cssText = "position:fixed;right:16px;bottom:72px;width:min(380px,calc(100vw - 32px));" +
    "height:min(560px,calc(100vh - 96px));border:1px solid #d9dee5;border-radius:12px;background:#fff;" +
    "z-index:2147483000;display:none";
  button.addEventListener("click", function () {
    var open = frame.style.display === "none";
    if (open && !frame.src) { frame.src = base + "/chat/widget/" + query; }
    frame.style.display = open ? "block" : "none";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { frame.focus(); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && frame.style.display === "block") { frame.style.display = "none"; button.focus(); }
  });
  document.body.appendChild(frame);
  document.body.appendChild(button);
})();
