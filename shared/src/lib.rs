//! VCH configuration model and validation rules.
