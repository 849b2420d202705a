public class Sum {
    public static void main(String[] args) throws Exception {
        Reader r = new Reader();
        long n = r.next(), s = 0;
        for (long i = 0; i < n; i++) s += r.next();
        System.out.println(s);
    }
}
