//! The staff pages for jobs and the technician view.
