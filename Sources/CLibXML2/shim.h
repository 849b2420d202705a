#ifndef PROCTOR_CLIBXML2_SHIM_H
#define PROCTOR_CLIBXML2_SHIM_H
// Debian builds libxml2 with ICU, so libxml/encoding.h includes the system's ICU headers,
// which clash with the ICU that Foundation ships. Nothing here touches an encoding
// handler's ICU fields, so the writer is used without them.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlwriter.h>
// Reading framework reports (Grading's UnitReport): the tree parser.
#include <libxml/parser.h>
#include <libxml/tree.h>
#endif
