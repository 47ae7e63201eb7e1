// The Node.js sample app of Quayside's end-to-end tests: no dependencies. Its
// start script passes --greeting, so the answer shows scripts.start ran.
// It answers GET / on $PORT.
const http = require("http");

const i = process.argv.indexOf("--greeting");
const greeting = i >= 0 ? process.argv[i + 1] : "Hello from the nodejs sample (no start script)";
const port = Number(process.env.PORT || 8080);

http
  .createServer((req, res) => {
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.end(`${greeting} (node ${process.version}, NODE_ENV=${process.env.NODE_ENV})\n`);
  })
  .listen(port, () => console.log(`nodejs sample listening on :${port}`));
