using System;

public class Rte {
    public static void Main() {
        int[] xs = new int[3];
        Console.WriteLine(xs[Console.ReadLine().Length + 5]);
    }
}
