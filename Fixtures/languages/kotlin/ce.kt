fun main() {
    val name: Int = "not a number"
    println(name)
}
