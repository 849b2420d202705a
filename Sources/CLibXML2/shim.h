#ifndef PROCTOR_CLIBXML2_SHIM_H
#define PROCTOR_CLIBXML2_SHIM_H
#include <libxml/xmlwriter.h>
#include <libxml/xmlstring.h>
#include <libxml/encoding.h>
#endif
