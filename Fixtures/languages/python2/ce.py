#!/usr/bin/env python2
print "unclosed
