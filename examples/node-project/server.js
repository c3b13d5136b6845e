// The development server of this example project: answers every request with "ok".
const http = require("node:http");

const port = Number(process.env.PORT || 3000);
http.createServer((req, res) => res.end("ok\n")).listen(port, () => console.log(`listening on ${port}`));
