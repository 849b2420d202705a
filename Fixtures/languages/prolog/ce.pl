main :-
    format("Hello~n" [].
