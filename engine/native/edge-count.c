/* dist/edge-count: the scripts' record counter of an edge (engine/segment.sh, graphs); the counting is count.c's. */
#include "count.h"

int main(int argc, char **argv) {
  return edgeCount(argc, argv);
}
