import java.util.List;

public class Words {
    public static int count(String s) {
        String t = s.trim();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }

    public static String capitalize(String s) {
        StringBuilder b = new StringBuilder();
        boolean start = true;
        for (char c : s.toCharArray()) {
            b.append(start ? Character.toUpperCase(c) : c);
            start = c == ' ';
        }
        return b.toString();
    }

    public static String longest(List<String> words) {
        String best = "";
        for (String w : words) if (w.length() > best.length()) best = w;
        return best;
    }
}
