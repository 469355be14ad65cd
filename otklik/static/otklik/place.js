// «Указать моё местоположение» on the appeal form: the browser's geolocation fills the hidden
// latitude/longitude fields. Without JavaScript or geolocation the button stays hidden and the form
// works as before (the place is described in words).
(function () {
  "use strict";
  function setup(box) {
    var form = box.closest("form");
    var lat = form.querySelector("input[name=latitude]");
    var lon = form.querySelector("input[name=longitude]");
    var button = box.querySelector("button.place-locate");
    var clear = box.querySelector("button.place-clear");
    var status = box.querySelector(".place-status");
    if (!lat || !lon || !button) return;
    function show() {
      var has = lat.value && lon.value;
      status.textContent = has ? "Точка на карте: " + lat.value + ", " + lon.value : "";
      clear.hidden = !has;
    }
    if (!("geolocation" in navigator)) return;
    box.hidden = false;
    show();
    button.addEventListener("click", function () {
      status.textContent = "Определяем местоположение…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          lat.value = position.coords.latitude.toFixed(6);
          lon.value = position.coords.longitude.toFixed(6);
          show();
          var accuracy = Math.round(position.coords.accuracy || 0);
          if (accuracy) status.textContent += " (точность около " + accuracy + " м)";
        },
        function (error) {
          status.textContent =
            error.code === 1
              ? "Доступ к местоположению не разрешён. Опишите место словами."
              : "Не удалось определить местоположение. Опишите место словами.";
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
    clear.addEventListener("click", function () {
      lat.value = "";
      lon.value = "";
      show();
    });
  }
  document.querySelectorAll(".place-locator").forEach(setup);

  // The chat's 📍: the point goes to the dialogue as one message (it keeps it for the appeal being
  // written, or explains that a point belongs to an appeal).
  function setupChat(form) {
    if (!("geolocation" in navigator)) return;
    form.hidden = false;
    form.querySelector("button").addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.querySelector("input[name=latitude]").value = position.coords.latitude.toFixed(6);
          form.querySelector("input[name=longitude]").value = position.coords.longitude.toFixed(6);
          form.dispatchEvent(new Event("located"));
        },
        function (error) {
          form.querySelector("input[name=latitude]").value = "";
          form.querySelector("input[name=longitude]").value = "";
          form.dispatchEvent(new Event("located"));  // an empty point: the dialogue says what to do
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }
  document.querySelectorAll("form.chat-place").forEach(setupChat);
})();
