/* Check-in at the event, also without the network (kembar.participation.views_staff).
 *
 * Every check-in is first put in a queue in localStorage with the time it was made,
 * then sent to the staff API (POST .../check-ins/), at once when online, else when the
 * network comes back or the officer presses "Sync now".  Offline, the SHA-256 digests
 * of the codes with a confirmed place (embedded in the page, no personal data) tell
 * whether a code is valid.  A service worker keeps the page loadable offline.
 * Without JavaScript the form posts to the page and the server checks in at once.
 */
(function () {
  "use strict";

  const root = document.getElementById("check-in");
  if (!root) {
    return;
  }
  const text = root.dataset;
  const form = document.getElementById("check-in-form");
  const input = form.querySelector("input[name='code']");
  const csrf = form.querySelector("input[name='csrfmiddlewaretoken']").value;
  const result = document.getElementById("check-in-result");
  const pending = document.getElementById("check-in-pending");
  const network = document.getElementById("check-in-network");
  const attended = document.getElementById("check-in-attended");
  const log = document.getElementById("check-in-log");
  const storageKey = "kembar-check-in-" + text.opportunity;
  const codes = JSON.parse(document.getElementById("check-in-codes").textContent);
  const confirmed = new Set(codes.confirmed);
  const checkedIn = new Set(codes.attended);
  let syncing = false;

  function normalise(code) {
    return String(code || "").replace(/[\s-]/g, "").toUpperCase();
  }

  function load() {
    try {
      const queue = JSON.parse(window.localStorage.getItem(storageKey) || "[]");
      return Array.isArray(queue) ? queue : [];
    } catch (error) {
      return [];
    }
  }

  function save(queue) {
    window.localStorage.setItem(storageKey, JSON.stringify(queue));
    pending.textContent = String(queue.length);
  }

  async function digest(code) {
    if (!window.crypto || !window.crypto.subtle) {
      return null; // not a secure context: the server decides when the network is back
    }
    const bytes = new TextEncoder().encode(code);
    const hash = await window.crypto.subtle.digest("SHA-256", bytes);
    return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function show(kind, message, registration, code) {
    result.className = "check-in__result check-in__result--" + kind;
    result.replaceChildren();
    const line = document.createElement("p");
    line.textContent = message;
    result.append(line);
    if (kind === "checked_in" && registration) {
      const undo = document.createElement("button");
      undo.type = "button";
      undo.className = "button button--secondary";
      undo.textContent = text.textUndo;
      undo.addEventListener("click", () => undoCheckIn(registration, undo, code));
      result.append(undo);
    }
    const entry = document.createElement("li");
    entry.className = "check-in__entry check-in__entry--" + kind;
    entry.textContent = new Date().toLocaleTimeString() + " " + message;
    log.prepend(entry);
  }

  // What the server said, for the next time the network is gone.
  async function remember(code, isCheckedIn) {
    const hash = await digest(normalise(code));
    if (hash === null) {
      return;
    }
    (isCheckedIn ? confirmed : checkedIn).delete(hash);
    (isCheckedIn ? checkedIn : confirmed).add(hash);
  }

  function setOnline(online) {
    network.textContent = online ? text.textOnline : text.textOffline;
    network.classList.toggle("check-in__network--offline", !online);
  }

  async function judgeOffline(code) {
    const hash = await digest(code);
    if (hash === null) {
      return ["pending", code + ": " + text.textUnchecked];
    }
    if (checkedIn.has(hash)) {
      return ["already", code + ": " + text.textAlready];
    }
    if (confirmed.has(hash)) {
      confirmed.delete(hash);
      checkedIn.add(hash);
      return ["valid", code + ": " + text.textValid];
    }
    return ["unknown", code + ": " + text.textUnknown];
  }

  async function sync() {
    let queue = load();
    if (syncing || queue.length === 0) {
      save(queue);
      return;
    }
    syncing = true;
    const batch = queue.slice(0, 500);
    let response;
    try {
      response = await fetch(text.syncUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrf,
        },
        body: JSON.stringify({ check_ins: batch }),
      });
    } catch (error) {
      syncing = false;
      setOnline(false);
      return;
    }
    syncing = false;
    setOnline(true);
    if (response.status === 401 || response.status === 403) {
      show("refused", text.textSignin);
      return;
    }
    if (!response.ok) {
      show("refused", text.textFailed);
      return;
    }
    const answer = await response.json();
    // Items added while sending stay; those sent are answered one by one.
    queue = load().slice(batch.length);
    save(queue);
    for (const item of answer.results) {
      show(item.status, item.message, item.registration, item.code);
      if (item.status !== "refused") {
        remember(item.code, true);
      }
    }
    if (typeof answer.attended === "number") {
      attended.textContent = String(answer.attended);
    }
    if (queue.length > 0) {
      sync();
    }
  }

  async function undoCheckIn(registration, button, code) {
    button.disabled = true;
    try {
      const response = await fetch(text.undoUrl.replace("/0/", "/" + registration + "/"), {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrf },
      });
      const answer = await response.json();
      if (response.ok) {
        show("undone", text.textUndone);
        remember(code, false);
        if (typeof answer.attended === "number") {
          attended.textContent = String(answer.attended);
        }
      } else {
        show("refused", answer.detail || text.textFailed);
        button.disabled = false;
      }
    } catch (error) {
      setOnline(false);
      button.disabled = false;
    }
  }

  async function checkIn(raw) {
    const code = normalise(raw);
    if (!code) {
      return;
    }
    const queue = load();
    queue.push({ code: code, at: new Date().toISOString() });
    save(queue);
    if (navigator.onLine) {
      await sync();
      if (load().some((item) => item.code === code)) {
        const [kind, message] = await judgeOffline(code);
        show(kind, message);
      }
    } else {
      setOnline(false);
      const [kind, message] = await judgeOffline(code);
      show(kind, message);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = input.value;
    input.value = "";
    input.focus();
    checkIn(code);
  });

  document.getElementById("check-in-sync").addEventListener("click", () => sync());
  window.addEventListener("online", () => {
    setOnline(true);
    sync();
  });
  window.addEventListener("offline", () => setOnline(false));
  window.setInterval(() => {
    if (navigator.onLine) {
      sync();
    }
  }, 30000);

  // The camera, where the browser reads QR codes itself (BarcodeDetector).
  const scan = document.getElementById("check-in-scan");
  const video = document.getElementById("check-in-video");
  if ("BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    scan.hidden = false;
    scan.addEventListener("click", async () => {
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      } catch (error) {
        show("refused", text.textCamera);
        return;
      }
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      const stop = () => {
        stream.getTracks().forEach((track) => track.stop());
        video.hidden = true;
      };
      const look = async () => {
        try {
          const found = await detector.detect(video);
          if (found.length > 0) {
            stop();
            checkIn(found[0].rawValue);
            return;
          }
        } catch (error) {
          stop();
          return;
        }
        window.setTimeout(look, 250);
      };
      look();
    });
  }

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker
      .register(text.workerUrl, { scope: text.workerScope })
      .catch(() => null);
  }

  setOnline(navigator.onLine);
  save(load());
  sync();
})();
