#!/usr/bin/env python2
import sys
name = sys.stdin.readline().strip()
print "Hello %s!" % name
