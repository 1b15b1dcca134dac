#!/usr/bin/env bash
# StyleGAN2 on a lent GPU machine (the `device` tool): exports NVlabs StyleGAN2-ADA at 256² and
# 512² there with scripts/export_model.py (the machine's own PyTorch), then measures through the
# engine's generator worker with the WebGPU provider (and CPU), PyTorch CUDA as a reference, and
# audio→sent latency of `vj start` with the 512² model. Results: JSON lines in $OUT/gpu.jsonl.
#
# The machine has no registry, so everything travels in the working tree: .device/node.xz (this
# Node), .device/nm.tar.xz (onnxruntime-node for linux-x64 and the engine's pure-JS packages),
# .device/sg2ada (a checkout of NVlabs/stylegan2-ada-pytorch: never committed), .gl (the Vulkan
# loader debs, see the device README) and dist/. Run from the repository root:
#   run(command: "bash scripts/gpu-bench.sh", carry: [".device", ".gl", "dist"])
set -u
OUT=${OUT:-/tmp/gpu-out}
mkdir -p "$OUT"
R=$OUT/gpu.jsonl
note() { echo "$*" | tee -a "$OUT/log.txt"; }
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$ICD" ] && export VK_DRIVER_FILES=$ICD
W=/tmp/vjgpu; mkdir -p $W
xz -dc .device/node.xz > $W/node && chmod +x $W/node
tar -xJf .device/nm.tar.xz
export PATH=$W:$PATH PYTHONUNBUFFERED=1
note "gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
note "node $(node -v); $(python3 -c 'import torch, onnx; print("torch", torch.__version__, "cuda", torch.cuda.is_available(), "onnx", onnx.__version__)')"
note "vulkan loader: $(ldconfig -p | grep -c libvulkan); icd: $(ls /usr/local/nvidia/share/vulkan/icd.d 2>&1)"
for res in 256 512; do
  m=$W/sg2-$res
  timeout 300 python3 scripts/export_model.py stylegan2 --repo .device/sg2ada --random $res --psi-input --check 1 --out $m 2>>"$OUT/log.txt" | tee -a "$R"
  [ -f $m.json ] || { note "export $res failed"; continue; }
  timeout 120 node bench/model-fps.mjs $m.json --providers webgpu --frames 200 2>>"$OUT/log.txt" | tee -a "$R"
  timeout 120 node bench/model-fps.mjs $m.json --providers cpu --frames 10 2>>"$OUT/log.txt" | tee -a "$R"
done
# PyTorch on CUDA, the same random generator: the hardware's reference, fp32 and fp16.
timeout 120 python3 - <<'PY' 2>>"$OUT/log.txt" | tee -a "$R"
import json, sys, time, torch
sys.path.insert(0, '.device/sg2ada')
from training import networks
for res in (256, 512):
    torch.manual_seed(0)
    G = networks.Generator(512, 0, 512, res, 3, mapping_kwargs=dict(num_layers=8),
        synthesis_kwargs=dict(channel_base=16384 if res < 512 else 32768, channel_max=512, num_fp16_res=4, conv_clamp=256)).eval().cuda()
    z = torch.randn(1, 512, device='cuda')
    for fp32 in (True, False):
        with torch.no_grad():
            for _ in range(10): G(z, None, noise_mode='const', force_fp32=fp32)
            torch.cuda.synchronize(); t = time.time()
            for _ in range(100): G(z, None, noise_mode='const', force_fp32=fp32)
            torch.cuda.synchronize()
        print(json.dumps({'torchCuda': res, 'fp32': fp32, 'msPerFrame': round((time.time() - t) * 10, 2)}))
PY
# The show: 512² on WebGPU, the demo clip, 25 s; audio→sent from /api/stats.
if [ -f $W/sg2-512.json ]; then
  node bin/vj.js start --headless --input demo --no-midi --no-osc --port 7077 --fps 60 --model $W/sg2-512.json --providers webgpu,cpu 2>>"$OUT/log.txt" &
  VJ=$!
  sleep 8
  # One output (a WebSocket client taking every frame), as a projector would; stats after 20 s.
  node --input-type=module -e "
    const { default: WebSocket } = await import('ws');
    const ws = new WebSocket('ws://127.0.0.1:7077/ws');
    await new Promise((r) => setTimeout(r, 20000));
    const s = await (await fetch('http://127.0.0.1:7077/api/stats')).json();
    console.log(JSON.stringify({ show: 512, inferenceFps: s.inferenceFps, inferenceMs: s.inferenceMs, latencyMs: s.latencyMs }));
    ws.close();" | tee -a "$R"
  kill -INT $VJ; wait $VJ
fi
note done
