using System;

public class Ce {
    public static void Main() {
        int x = "text";
    }
}
