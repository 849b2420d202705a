const input: string = require("fs").readFileSync(0, "utf8");
const who: string = input.trim();
console.log(`Hello ${who}!`);
