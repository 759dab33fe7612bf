/* trop/trop.h: umbrella header of libtrop. */
#ifndef TROP_TROP_H
#define TROP_TROP_H
#include "trop/base.h"
#include "trop/version.h"
#include "trop/q.h"
#include "trop/net.h"
#include "trop/hull.h"
#include "trop/tpoly.h"
#include "trop/bound.h"
#include "trop/pqnet.h"
#include "trop/region.h"
#include "trop/train.h"
#endif
