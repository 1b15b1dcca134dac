#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the engine and its tests need. Idempotent: does nothing
# when everything is already there. Uses apt-get as root, or sudo when available; otherwise it
# prints the command to run and exits non-zero.
#   pulseaudio pulseaudio-utils libasound2-plugins  real capture through PortAudio with no sound card
#   aubio-tools                                      aubioonset and aubiotrack, the onset and beat peers in the evaluation
#   fluidsynth fluid-soundfont-gm                    renders the evaluation's MIDI to audio
#   sox ffmpeg                                       audio conversion, reverb/noise variants, video
#   liblo-tools                                      oscsend/oscdump, the third-party OSC peer
#   chromium                                         the output page's browser tests (playwright-core)
#   python3 make g++                                 node-gyp builds naudiodon2
#   python3-torch python3-onnx                       scripts/export_model.py's test (PyTorch export)
#   wabt                                             wat2wasm: the test that kernelsWasm.ts matches kernels.wat
set -euo pipefail

packages=(pulseaudio pulseaudio-utils libasound2-plugins aubio-tools fluidsynth fluid-soundfont-gm
  sox ffmpeg liblo-tools chromium python3 make g++ python3-torch python3-onnx wabt)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "setup-system: missing packages: ${missing[*]} (no apt-get here: install them with your package manager)" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "setup-system: missing packages: ${missing[*]}" >&2
  echo "setup-system: run as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "setup-system: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" >&2
