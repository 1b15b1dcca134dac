#!/usr/bin/env bash
# Runs a command next to a hermetic PulseAudio daemon (see /work/shared/ENVIRONMENT.md): a null sink
# test_sink (48 kHz stereo s16le) whose monitor PortAudio sees as the ALSA capture device "test_in".
#
#   scripts/pulse-env.sh [--play FILE.raw] [--] COMMAND [ARGS...]
#
# COMMAND runs with ALSA_CONFIG_PATH and PULSE_SERVER set (and PULSE_DIR, the temp dir).
# --play plays FILE.raw (s16le, 48 kHz, stereo) into the sink with pacat once COMMAND has started.
# The daemon is killed and the temp dir removed when COMMAND ends, fails or is interrupted.
# Example: scripts/pulse-env.sh -- node --import tsx -e "import('./engine/audio/portaudio.ts').then(async m => console.error(await m.listDevices()))"
set -euo pipefail

play=""
while [ $# -gt 0 ]; do
  case "$1" in
    --play) play="$2"; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--play FILE.raw] [--] COMMAND [ARGS...]" >&2; exit 2; }
for cmd in pulseaudio pacat pactl; do
  command -v "$cmd" >/dev/null || { echo "pulse-env: $cmd not found (apt-get install pulseaudio pulseaudio-utils libasound2-plugins)" >&2; exit 1; }
done

dir="$(mktemp -d "${TMPDIR:-/tmp}/vj-pulse.XXXXXX")"
pid=""
cleanup() {
  if [ -z "$pid" ] && [ -f "$dir/run/pulse/pid" ]; then pid="$(cat "$dir/run/pulse/pid")"; fi
  if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -m 700 "$dir/run"
mkdir "$dir/home"
cat >"$dir/default.pa" <<EOF
load-module module-native-protocol-unix socket=$dir/native auth-anonymous=1
load-module module-null-sink sink_name=test_sink rate=48000 channels=2 format=s16le
EOF
printf 'pcm.test_in { type pulse server "unix:%s/native" device "test_sink.monitor" }\n' "$dir" >"$dir/asound.conf"

XDG_RUNTIME_DIR="$dir/run" HOME="$dir/home" pulseaudio --daemonize=yes --use-pid-file=yes --exit-idle-time=-1 \
  -n -F "$dir/default.pa" --disallow-exit --realtime=no --high-priority=no --disable-shm=yes 2>"$dir/daemon.err" \
  || { echo "pulse-env: pulseaudio failed to start: $(tail -n 1 "$dir/daemon.err")" >&2; exit 1; }
for _ in $(seq 100); do
  pactl --server="unix:$dir/native" info >/dev/null 2>&1 && break
  sleep 0.05
done
pactl --server="unix:$dir/native" info >/dev/null 2>&1 || { echo "pulse-env: pulseaudio did not answer" >&2; exit 1; }
pid="$(cat "$dir/run/pulse/pid")"

export ALSA_CONFIG_PATH="$dir/asound.conf" PULSE_SERVER="unix:$dir/native" PULSE_DIR="$dir"
if [ -n "$play" ]; then
  "$@" &
  cmd_pid=$!
  pacat --playback --server="unix:$dir/native" -d test_sink --raw --format=s16le --rate=48000 --channels=2 "$play"
  wait "$cmd_pid"
else
  "$@"
fi
