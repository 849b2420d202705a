import java.util.List;

// Wrong: a blank string counts as one word, and capitalize only does the first letter.
public class Words {
    public static int count(String s) {
        return s.trim().split("\\s+").length;
    }

    public static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    public static String longest(List<String> words) {
        String best = "";
        for (String w : words) if (w.length() > best.length()) best = w;
        return best;
    }
}
