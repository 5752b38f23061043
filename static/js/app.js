// Small behaviours shared by every page; no inline scripts, so a strict CSP can forbid them.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
  // <button data-fill-<field name>="value" ...>: fill those fields of the button's form.
  const filler = event.target.closest("button[type=button]");
  if (filler && filler.form) {
    for (const attribute of filler.attributes) {
      if (!attribute.name.startsWith("data-fill-")) continue;
      const field = filler.form.elements[attribute.name.slice("data-fill-".length)];
      if (field) field.value = attribute.value;
    }
  }
});

// Running timers: <span data-since="ISO time" data-target="seconds">, red once past the target.
function tickTimers() {
  const now = Date.now();
  document.querySelectorAll("[data-since]").forEach((el) => {
    const seconds = Math.max(0, Math.floor((now - Date.parse(el.dataset.since)) / 1000));
    const minutes = Math.floor(seconds / 60);
    el.textContent = minutes >= 60
      ? `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`
      : `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
    const target = Number(el.dataset.target || 0);
    el.classList.toggle("text-danger", target > 0 && seconds > target);
    el.classList.toggle("fw-bold", target > 0 && seconds > target);
  });
}

// Countdowns to a deadline: <span data-until="ISO time" data-warn="seconds">: the time left in the
// words the page gives on <body data-countdown-left="{h} h {m} min left" data-countdown-over="...">,
// amber when less than data-warn seconds remain, red once past.
function tickCountdowns() {
  const now = Date.now();
  const words = document.body.dataset;
  document.querySelectorAll("[data-until]").forEach((el) => {
    const left = Math.floor((Date.parse(el.dataset.until) - now) / 1000);
    const minutes = Math.floor(Math.abs(left) / 60);
    const [h, m] = [String(Math.floor(minutes / 60)), String(minutes % 60).padStart(2, "0")];
    const template = left < 0 ? words.countdownOver : words.countdownLeft;
    el.textContent = (template || "{h}:{m}").replace("{h}", h).replace("{m}", m);
    const warn = Number(el.dataset.warn || 0);
    el.classList.toggle("countdown-past", left < 0);
    el.classList.toggle("countdown-near", left >= 0 && left < warn);
  });
}

function tick() {
  tickTimers();
  tickCountdowns();
}
setInterval(tick, 1000);
document.addEventListener("DOMContentLoaded", tick);
document.addEventListener("htmx:afterSwap", tick);

// A signature drawn with a finger on the tablet: <canvas data-signature-for="input id">.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("canvas[data-signature-for]").forEach((canvas) => {
    const input = document.getElementById(canvas.dataset.signatureFor);
    const context = canvas.getContext("2d");
    const ratio = window.devicePixelRatio || 1;
    canvas.width = canvas.clientWidth * ratio;
    canvas.height = canvas.clientHeight * ratio;
    context.scale(ratio, ratio);
    context.lineWidth = 2.5;
    context.lineCap = "round";
    let drawing = false;
    let drawn = false;
    const point = (event) => {
      const box = canvas.getBoundingClientRect();
      return [event.clientX - box.left, event.clientY - box.top];
    };
    canvas.addEventListener("pointerdown", (event) => {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      context.beginPath();
      context.moveTo(...point(event));
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      context.lineTo(...point(event));
      context.stroke();
      drawn = true;
    });
    canvas.addEventListener("pointerup", () => {
      drawing = false;
      if (drawn) input.value = canvas.toDataURL("image/png");
    });
    const clear = document.querySelector(`[data-signature-clear="${canvas.id}"]`);
    if (clear) {
      clear.addEventListener("click", () => {
        context.clearRect(0, 0, canvas.width, canvas.height);
        input.value = "";
        drawn = false;
      });
    }
  });
});

// A self-refreshing part of a page (<div hx-trigger="every …" data-refresh-spares-input>) skips its
// refresh while someone is typing in it or has a form in it open, so nothing typed is lost.
document.addEventListener("htmx:beforeRequest", (event) => {
  const region = event.detail.elt;
  if (!region.hasAttribute || !region.hasAttribute("data-refresh-spares-input")) return;
  const busy =
    region.contains(document.activeElement) && document.activeElement.matches("input, textarea, select") ||
    region.querySelector("details[open]") ||
    [...region.querySelectorAll("input[type=text], input:not([type]), textarea")].some((field) => field.value);
  if (busy) event.preventDefault();
});
