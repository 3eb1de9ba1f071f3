// A gRPC proxy for the tests, on Node's own http2 module (nothing to install): it forwards every call to a
// Temporal frontend, except calls whose path starts with a refused prefix, which it answers itself with a gRPC
// error status, the way Temporal Cloud refuses the operator service to a namespace's credentials. It can also
// hold each call for a while before passing it on: the latency of a network between a client and a real cluster.
//
// node grpc_proxy.mjs UPSTREAM_HOST:PORT LATENCY_MS GRPC_STATUS REFUSED_PREFIX...
// Prints "listening PORT" once it accepts connections on 127.0.0.1.
import http2 from "node:http2";

const [upstream, latencyMs, refusedStatus, ...refusedPrefixes] = process.argv.slice(2);
const session = http2.connect(`http://${upstream}`);
session.on("error", (err) => console.error(`upstream session: ${err}`));

function refuse(stream, path) {
  stream.resume();
  stream.respond({
    ":status": 200,
    "content-type": "application/grpc",
    "grpc-status": refusedStatus,
    "grpc-message": encodeURIComponent(`refused by the test proxy: ${path}`),
  }, { endStream: true });
}

function forward(stream, headers) {
  const request = { ":method": "POST", ":path": headers[":path"], ":authority": upstream };
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(":")) request[name] = value;
  }
  const call = session.request(request);
  let trailers = { "grpc-status": "0" };
  let ended = false;
  stream.pipe(call);
  call.on("response", (head) => {
    if (head["grpc-status"] !== undefined) { // trailers-only: the whole answer is in the headers
      ended = true;
      stream.respond(head, { endStream: true });
    } else {
      stream.respond(head, { waitForTrailers: true });
    }
  });
  call.on("trailers", (received) => { trailers = received; });
  call.on("data", (chunk) => stream.write(chunk));
  call.on("end", () => { if (!ended && !stream.destroyed) stream.end(); });
  call.on("error", () => { if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR); });
  stream.on("wantTrailers", () => stream.sendTrailers(trailers));
  stream.on("close", () => { if (!call.destroyed) call.close(); });
}

const server = http2.createServer();
server.on("stream", (stream, headers) => {
  const path = headers[":path"];
  if (refusedPrefixes.some((prefix) => path.startsWith(prefix))) refuse(stream, path);
  else setTimeout(() => forward(stream, headers), Number(latencyMs));
});
server.listen(0, "127.0.0.1", () => console.log(`listening ${server.address().port}`));
