#!/usr/bin/env python2
import sys
print 1 / 0
