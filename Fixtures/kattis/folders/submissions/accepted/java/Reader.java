import java.io.*;
import java.util.*;

// A helper class: the lexicographically first file, without main.
class Reader {
    private final StreamTokenizer in = new StreamTokenizer(new BufferedReader(new InputStreamReader(System.in)));

    long next() throws IOException {
        in.nextToken();
        return (long) in.nval;
    }
}
