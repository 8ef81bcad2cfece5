// Opens N keep-alive connections to 127.0.0.1:PORT one after another, sends one
// `GET /healthz` on each and waits for its answer before opening the next (so what
// grows is what an idle connection keeps, not the peak of N requests at once), then
// prints "open N" and keeps them all open and idle until its standard input closes.
// Used by bench/run to read the server's memory per 1,000 idle keep-alive connections.
const net = require("net");
const [port, count] = [Number(process.argv[2]), Number(process.argv[3] || 1000)];
const sockets = [];

function open(i) {
  if (i === count) { console.log(`open ${count}`); return; }
  const socket = net.connect(port, "127.0.0.1", () => {
    socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n");
  });
  let seen = "";
  socket.on("data", (chunk) => {
    if (seen === null) return;
    seen += chunk.toString();
    if (seen.includes("\r\n\r\n")) { seen = null; open(i + 1); }
  });
  socket.on("error", (e) => { console.error(`connection ${i}: ${e.message}`); process.exit(1); });
  socket.on("close", () => { if (seen !== null) { console.error(`connection ${i} closed early`); process.exit(1); } });
  sockets.push(socket);
}
open(0);
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
