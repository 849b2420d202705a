// The instructor's JUnit 5 tests for lab 3 (Words.java), run by JUnit's console launcher.
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class WordsTest {
    @Test
    void countsWords() {
        assertEquals(3, Words.count("to be free"));
    }

    @Test
    void countsNothingInBlank() {
        assertEquals(0, Words.count("   "));
    }

    @Test
    void capitalizes() {
        assertEquals("Hello World", Words.capitalize("hello world"));
    }

    @Test
    void longestWord() {
        assertEquals("banana", Words.longest(List.of("fig", "banana", "kiwi")));
    }
}
