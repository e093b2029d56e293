// ONNX Runtime (npm onnxruntime-node, CPU) on an ONNX model with input x [batch, 784]: the
// median latency of one run at batch 1 and at batch 128, printed as bench/run.sh reads them:
//   onnx_mlp_infer_b1 us=...
//   onnx_mlp_infer_b128 us=...
// Usage: node onnxruntime_mlp.js MODEL.onnx SECONDS THREADS   (NODE_PATH: where the package is)
const ort = require('onnxruntime-node');

async function latency(session, batch, seconds) {
  const x = new ort.Tensor('float32', Float32Array.from({length: batch * 784}, () => Math.random()),
                           [batch, 784]);
  for (let i = 0; i < 50; ++i) await session.run({x});
  const times = [];
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  while (times.length < 20 || process.hrtime.bigint() < deadline) {
    const t0 = process.hrtime.bigint();
    await session.run({x});
    times.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

(async () => {
  const [model, seconds, threads] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1, graphOptimizationLevel: 'all'});
  for (const batch of [1, 128])
    console.log(`onnx_mlp_infer_b${batch} us=${(await latency(session, batch, Number(seconds))).toFixed(1)}`);
})().catch((e) => { console.error(`onnxruntime_mlp.js: ${e.message}`); process.exit(1); });
