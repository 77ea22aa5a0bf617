// The live event stream: one WebSocket on /ws?token=…, reconnected with exponential backoff (1 s … 30 s, with
// jitter) whenever it drops; `onStatus` hears "connecting" | "live" | "offline" | "full", `onEvent` every frame.
// "full" is the server's close code 1013 (too many dashboards open for the restaurant, or the server at its
// limit): the page says so and waits the longest backoff before trying again.

// The close code of a socket the server would not take (RFC 6455's registry: try again later).
const TRY_AGAIN_LATER = 1013;

export class LiveConnection {
  constructor({ token, onEvent, onStatus, onReconnect }) {
    this.token = token;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.onReconnect = onReconnect;
    this.attempt = 0;
    this.stopped = false;
    this.timer = 0;
  }

  start() {
    this.stopped = false;
    this.open();
    this.online = () => { if (this.socket?.readyState !== WebSocket.OPEN) this.retryNow(); };
    window.addEventListener("online", this.online);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    window.removeEventListener("online", this.online);
    this.socket?.close();
  }

  open() {
    this.onStatus(this.attempt === 0 ? "connecting" : "offline");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/ws?token=${encodeURIComponent(this.token)}`);
    this.socket = socket;
    socket.addEventListener("open", () => {
      const reconnected = this.attempt > 0;
      this.attempt = 0;
      this.onStatus("live");
      if (reconnected) this.onReconnect();
    });
    socket.addEventListener("message", (message) => {
      try {
        this.onEvent(JSON.parse(message.data));
      } catch (error) {
        console.warn("bad live frame", error);
      }
    });
    socket.addEventListener("close", (event) => {
      if (this.stopped || socket !== this.socket) return;
      const full = event.code === TRY_AGAIN_LATER;
      this.onStatus(full ? "full" : "offline");
      this.attempt = full ? Math.max(this.attempt + 1, 6) : this.attempt + 1;
      const base = Math.min(30_000, 1000 * 2 ** Math.min(this.attempt - 1, 5));
      this.timer = setTimeout(() => this.open(), base / 2 + Math.random() * base / 2);
    });
  }

  retryNow() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.socket?.close();
    this.attempt = Math.max(this.attempt, 1);
    this.open();
  }
}
