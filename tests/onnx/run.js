// run.js MODEL.onnx INPUTS.bin ROWS COLUMNS OUTPUTS.bin: feeds the rows of
// float32 inputs through the model in onnxruntime and writes its outputs.
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [model, inputs, rows, cols, outputs] = process.argv.slice(2);
  const bytes = fs.readFileSync(inputs);
  const x = new Float32Array(bytes.buffer, bytes.byteOffset, Number(rows) * Number(cols));
  const session = await ort.InferenceSession.create(model);
  const result = await session.run({ input: new ort.Tensor('float32', x, [Number(rows), Number(cols)]) });
  const y = result.output.data;
  fs.writeFileSync(outputs, Buffer.from(y.buffer, y.byteOffset, y.byteLength));
}

main().catch((e) => { console.error(e.message || e); process.exit(1); });
