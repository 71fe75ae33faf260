#!/bin/sh
# Regenerates the demo's voice clips and video clips (microwork/demo/media/), offline:
# speech by espeak-ng, encoded as small mono Ogg Opus; videos from the moderation demo's
# drawn scenes (microwork/demo/images.py), panned and cut together, as small WebM (VP9).
# What each clip says or shows is read from clips.tsv beside it, which the demo reads too.
# Needs espeak-ng and ffmpeg (Debian: apt-get install espeak-ng ffmpeg) and the project's
# Python (.venv, or $PYTHON).
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
AUDIO="$ROOT/microwork/demo/media/audio"
VIDEO="$ROOT/microwork/demo/media/video"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FF="ffmpeg -nostdin -hide_banner -loglevel error -y"
# Same bytes on every run: no encoder or muxer stamps.
META="-map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact"

grep -v '^#' "$AUDIO/clips.tsv" | while IFS="$(printf '\t')" read -r name lang voice text; do
    [ -n "$name" ] || continue
    if [ "$voice" = "-" ]; then
        # No speech: a room's faint hiss.
        $FF -f lavfi -i "anoisesrc=d=2.5:c=pink:a=0.01:r=16000:seed=7" "$WORK/$name.wav"
    else
        espeak-ng -v "$voice" -s 145 -w "$WORK/$name.wav" "$text"
    fi
    $FF -i "$WORK/$name.wav" -ac 1 -ar 16000 -c:a libopus -b:a 12k -application voip \
        $META "$AUDIO/$name.ogg"
done

# One still per scene, drawn by the moderation demo's own painters.
grep -v '^#' "$VIDEO/clips.tsv" > "$WORK/clips.tsv"
"$PY" - "$WORK" <<'EOF'
import random
import sys
from pathlib import Path

from microwork.demo.images import KINDS

work = Path(sys.argv[1])
rng = random.Random(25)
for line in (work / "clips.tsv").read_text().splitlines():
    if not line.strip():
        continue
    name, _label, _at, _title, scenes = line.split("\t")
    for i, scene in enumerate(scenes.split(",")):
        kind, _seconds = scene.split(":")
        KINDS[kind](rng).save(work / f"{name}-{i}.png")
EOF
while IFS="$(printf '\t')" read -r name label at title scenes; do
    [ -n "$name" ] || continue
    inputs="" filters="" joined="" i=0
    for scene in $(echo "$scenes" | tr ',' ' '); do
        seconds=${scene#*:}
        inputs="$inputs -loop 1 -framerate 12 -t $seconds -i $WORK/$name-$i.png"
        # A slow pan across the 320x220 picture, so the clip moves.
        filters="$filters[$i:v]crop=256:176:x='64*t/$seconds':y='44*t/$seconds',setsar=1[s$i];"
        joined="$joined[s$i]"
        i=$((i + 1))
    done
    # shellcheck disable=SC2086
    $FF $inputs -filter_complex "${filters}${joined}concat=n=$i:v=1:a=0,format=yuv420p[v]" \
        -map "[v]" -r 12 -c:v libvpx-vp9 -b:v 0 -crf 36 -deadline good -row-mt 0 -threads 1 \
        $META "$VIDEO/$name.webm"
done < "$WORK/clips.tsv"

du -ch "$AUDIO"/*.ogg "$VIDEO"/*.webm | tail -1
