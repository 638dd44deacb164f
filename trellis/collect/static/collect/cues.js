// The cue at each interval: a flash on the control, a short tone, and a buzz where the device
// can vibrate. Sound needs an AudioContext created after a user gesture, so the first tap on a
// Start button unlocks it.

let audio = null;

export function unlockSound() {
  if (audio || typeof AudioContext === "undefined") return;
  try {
    audio = new AudioContext();
  } catch {
    audio = null;
  }
}

function tone() {
  if (!audio) return;
  if (audio.state === "suspended") audio.resume();
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  oscillator.frequency.value = 880;
  gain.gain.setValueAtTime(0.25, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start();
  oscillator.stop(audio.currentTime + 0.25);
}

export function cue(element) {
  element.classList.remove("cue");
  // Restart the flash animation even when cues come back to back.
  void element.offsetWidth;
  element.classList.add("cue");
  tone();
  if (navigator.vibrate) navigator.vibrate([120, 60, 120]);
}
