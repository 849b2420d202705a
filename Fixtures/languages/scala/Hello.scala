object Hello {
  def main(args: Array[String]): Unit = {
    val name = scala.io.StdIn.readLine().trim
    println(s"Hello $name!")
  }
}
