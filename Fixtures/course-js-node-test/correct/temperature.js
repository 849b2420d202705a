function toFahrenheit(c) {
  return Math.round((c * 9 / 5 + 32) * 10) / 10;
}
module.exports = { toFahrenheit };
