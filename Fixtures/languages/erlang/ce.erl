-module(ce).
-export([start/0]).

start() ->
    io:format("Hello~n")
    io:format("World~n").
