# cmake -DPROTOC=... -DPROTO_DIR=... -DINPUT=x.txtpb -DOUTPUT=base -P EncodeManifest.cmake
# Writes base.bin (the binary Manifest) and base.inc (its bytes as a C initializer list).
execute_process(
  COMMAND ${PROTOC} --encode=sinter.proto.Manifest -I${PROTO_DIR} sinter/manifest.proto
  INPUT_FILE ${INPUT} OUTPUT_FILE ${OUTPUT}.bin RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "protoc --encode failed for ${INPUT}: ${err}")
endif()
file(READ ${OUTPUT}.bin hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUTPUT}.inc "${bytes}\n")
