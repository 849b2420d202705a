fun main() { val n = readLine()!!.toInt(); println(n / 2.0) }
