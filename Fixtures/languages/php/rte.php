<?php
function f() { throw new Exception("boom"); }
f();
