//! Reading the inventory snapshot.
