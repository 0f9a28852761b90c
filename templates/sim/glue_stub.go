package sim

// This file stands in for the glue that the generator writes from the spec,
// where the backend names are declared. It lets the template compile and is
// never emitted.

// BackendSim is the name of the sim backend.
const BackendSim = "sim"
