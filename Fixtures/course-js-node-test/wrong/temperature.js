// Wrong: no rounding.
function toFahrenheit(c) {
  return c * 9 / 5 + 32;
}
module.exports = { toFahrenheit };
