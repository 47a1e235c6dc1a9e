# Embeds one file (IN) as a NUL-terminated C string `openapi_document` in OUT.
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUT} "/* Generated from docs/openapi.json; do not edit. */\n#include <stddef.h>\nconst char openapi_document[] = {${bytes}0x00};\nconst size_t openapi_document_length = sizeof(openapi_document) - 1;\n")
