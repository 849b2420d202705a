using System;

public class Hello {
    public static void Main() {
        string name = Console.ReadLine().Trim();
        Console.WriteLine("Hello " + name + "!");
    }
}
