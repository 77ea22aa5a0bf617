// The new-order chime: two short tones through Web Audio (no sound file), mutable. Every chime that plays is
// counted on `document.body.dataset.chimes` so tests (and curious staff) can see that it rang.

let context = null;
let muted = localStorage.getItem("sufra.muted") === "1";

/** Whether the chime is muted. */
export const isMuted = () => muted;

/** Mutes or unmutes (remembered on this device). */
export function setMuted(value) {
  muted = value;
  localStorage.setItem("sufra.muted", value ? "1" : "0");
}

/** Creates or resumes the audio context; call it from a user gesture (browsers block audio before one). */
export function unlockAudio() {
  const AudioContext = window.AudioContext || window.webkitAudioContext;
  if (!AudioContext) return;
  try {
    context ??= new AudioContext();
    if (context.state === "suspended") context.resume().catch(() => {});
  } catch (error) {
    console.warn("no audio", error);
  }
}

/** Rings once unless muted; returns whether it rang. */
export function chime() {
  if (muted) return false;
  unlockAudio();
  if (context) playTones(context);
  document.body.dataset.chimes = String(Number(document.body.dataset.chimes || 0) + 1);
  return true;
}

/** A rising two-tone "ding-dong", 0.6 s. */
function playTones(audio) {
  try {
    const start = audio.currentTime + 0.02;
    for (const [offset, frequency] of [[0, 880], [0.18, 1320]]) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.3, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.35);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.4);
    }
  } catch (error) {
    console.warn("chime failed", error);
  }
}
