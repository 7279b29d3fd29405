// Model of a page's 52 dependent lookups on this VM (docs/benchmarks.md "Page path, fifth round"):
// ns per touch of random lines in a 64 MB table, after MODE&1 a syscall, with POLLUTE_KB of other
// writes per round, MODE&2 all addresses prefetched first. gcc -O2 -o t bench/page-lookup-model.c; taskset -c 0 ./t MODE POLLUTE_KB
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <string.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e9+t.tv_nsec;}
int main(int argc,char**argv){
  size_t sz=64<<20; int mode=atoi(argv[1]); size_t pol=(size_t)atoi(argv[2])<<10; int N=52;
  char*a=aligned_alloc(2<<20,sz); memset(a,0,sz);
  size_t gsz=64<<20; char*g=aligned_alloc(4096,gsz); memset(g,0,gsz); size_t gp=0;
  size_t off[64]; srand(1); for(int i=0;i<N;i++) off[i]=(((size_t)rand()<<6)%sz)&~7UL;
  for(int i=0;i<N;i++) *(size_t*)(a+off[i]) = off[(i+1)%N];
  int R=20000; double tt=0; size_t p=off[0];
  for(int r=0;r<R;r++){
    if(mode&1) syscall(SYS_getppid);
    if(pol){ if(gp+pol>gsz) gp=0; memset(g+gp,r,pol); gp+=pol; }
    double t0=now();
    if(mode&2) for(int i=0;i<N;i++) __builtin_prefetch(a+off[i]);
    for(int i=0;i<N;i++) p=*(size_t*)(a+p);
    tt+=now()-t0;
  }
  printf("mode %d pollute %zuKB: %.1f ns per touch (p=%zu)\n",mode,pol>>10,tt/R/N,p&1);
}
